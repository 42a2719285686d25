import { useEffect, useState } from 'preact/hooks';
import { onUnauthorized } from './api/api-client.js';
import { currentApiKey, forgetApiKey, storeApiKey } from './api/api-key.js';
import { JobPage } from './job/job-page.js';
import { JobsPage } from './jobs/jobs-page.js';
import { KeyPrompt } from './key-prompt.js';
import { useRoute } from './route.js';

/** The dashboard: a header, then the jobs list or one job; a key prompt when the API says 401. */
export function App() {
  const route = useRoute();
  const [refusal, setRefusal] = useState<string | null>(null);
  const [hadKey, setHadKey] = useState(false);
  // A new session (a key given) mounts the pages afresh, so every read is made again with it.
  const [session, setSession] = useState(0);

  useEffect(
    () =>
      onUnauthorized((error) => {
        setHadKey(currentApiKey() !== null);
        setRefusal(error.message);
      }),
    [],
  );

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <h1>
          <a href="#/">batchkeeper</a>
        </h1>
        <span class="muted topbar-note">Message Batches, durably</span>
        {currentApiKey() ? (
          <button
            type="button"
            class="link-button"
            onClick={() => {
              forgetApiKey();
              setSession((n) => n + 1);
            }}
          >
            Forget key
          </button>
        ) : null}
      </header>
      {refusal !== null ? (
        <KeyPrompt
          refusal={refusal}
          hadKey={hadKey}
          onSubmit={(key) => {
            storeApiKey(key);
            setRefusal(null);
            setSession((n) => n + 1);
          }}
        />
      ) : route.page === 'job' ? (
        <JobPage key={`${session}|${route.id}`} id={route.id} asOf={route.asOf} />
      ) : (
        <JobsPage key={session} />
      )}
    </>
  );
}
