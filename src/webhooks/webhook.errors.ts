import { BatchkeeperError } from '../domain/errors.js';

/** A delivery whose endpoint was deleted or disabled (410 Gone) cannot be sent again. */
export class WebhookEndpointInactiveError extends BatchkeeperError {
  readonly type = 'webhook_inactive_error';
  readonly status = 409;
}

/** A stored secret that cannot be read: encrypted without the key, or with another key. */
export class WebhookSecretUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WebhookSecretUnavailableError';
  }
}

/** A connection the SSRF guard refused: the address is private, reserved or not allowed. */
export class BlockedAddressError extends Error {
  readonly code = 'EWEBHOOKBLOCKED';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(
      host === address
        ? `refused to connect to ${address} (${range} address)`
        : `refused to connect to ${host}: it resolves to ${address} (${range} address)`,
    );
    this.name = 'BlockedAddressError';
  }
}
