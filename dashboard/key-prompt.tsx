import { useState } from 'preact/hooks';

export interface KeyPromptProps {
  /** What the API said when it refused the last call. */
  refusal: string;
  /** True when a key had been given: the API refused that key. */
  hadKey: boolean;
  onSubmit: (key: string) => void;
}

/** Asks for an API key; the API's refusal is shown as it said it. */
export function KeyPrompt({ refusal, hadKey, onSubmit }: KeyPromptProps) {
  const [key, setKey] = useState('');
  return (
    <main id="main" class="page key-page">
      <form
        class="card key-form"
        aria-labelledby="key-title"
        onSubmit={(event) => {
          event.preventDefault();
          if (key.trim()) onSubmit(key.trim());
        }}
      >
        <h2 id="key-title">API key</h2>
        <p>
          This server asks for an API key. It is kept for this tab only (session storage) and sent
          as a header with every call.
        </p>
        <p
          class={hadKey ? 'error-line' : 'muted'}
          role={hadKey ? 'alert' : undefined}
          data-testid="key-refusal"
        >
          {hadKey ? `That key was refused: ${refusal}` : refusal}
        </p>
        <label class="stacked">
          <span>Key</span>
          <input
            type="password"
            name="apiKey"
            autocomplete="off"
            required
            value={key}
            onInput={(event) => setKey(event.currentTarget.value)}
            autofocus
          />
        </label>
        <button type="submit" class="button-primary">
          Use this key
        </button>
      </form>
    </main>
  );
}
