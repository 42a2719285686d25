import { EXIT } from '../api-client.js';
import { CliError } from '../cli-error.js';

/**
 * Why `serve` could not listen, said with what to do instead of a stack trace: a port in use is
 * refused (exit 4, like a data folder another process holds), a port or host it may not use is
 * bad configuration (exit 2). Other errors are answered as they are.
 */
export function listenError(error: unknown, where: { port: number; host: string }): unknown {
  const code = (error as { code?: string } | undefined)?.code;
  const { port, host } = where;
  const other = port >= 65_535 ? port - 1 : port + 1;
  const choosePort = `choose another with PORT=${other} or --port ${other}`;
  switch (code) {
    case 'EADDRINUSE':
      return new CliError(
        `port ${port} is in use (another batchkeeper or program is listening); stop it or ${choosePort}`,
        EXIT.refused,
      );
    case 'EACCES':
      return new CliError(
        `cannot listen on port ${port}: permission denied (ports below 1024 need privileges); ` +
          'choose another with PORT=8080 or --port 8080',
        EXIT.usage,
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new CliError(
        `cannot listen on ${host}: it is not an address of this machine; choose another with ` +
          'HOST=127.0.0.1 or --host 127.0.0.1 (0.0.0.0 for every interface)',
        EXIT.usage,
      );
    default:
      return error;
  }
}
