/** A failure said in place (role=alert: read out by screen readers). */
export function ErrorLine({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p class="error-line" role="alert">
      {message}
    </p>
  );
}
