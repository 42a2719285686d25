import { useState } from 'preact/hooks';
import { describeError } from '../api/api-error.js';
import { ConfirmDialog } from './confirm-dialog.js';

export interface ConfirmedActionProps {
  label: string;
  /** The question the confirmation asks. */
  question: string;
  run: () => Promise<unknown>;
  /** After the API accepted it. */
  onDone?: () => void;
  danger?: boolean;
  disabled?: boolean;
  /** Where a refusal is shown (the API's error). */
  onError: (message: string | null) => void;
}

/** A button that asks first, then calls the API; a refusal is handed to `onError`. */
export function ConfirmedAction(props: ConfirmedActionProps) {
  const [asking, setAsking] = useState(false);
  const [running, setRunning] = useState(false);
  return (
    <>
      <button
        type="button"
        class={props.danger ? 'button-danger' : ''}
        disabled={props.disabled || running}
        onClick={() => setAsking(true)}
      >
        {props.label}
      </button>
      {asking ? (
        <ConfirmDialog
          title={`${props.label}?`}
          message={props.question}
          confirmLabel={props.label}
          danger={props.danger ?? false}
          onCancel={() => setAsking(false)}
          onConfirm={() => {
            setAsking(false);
            setRunning(true);
            props.onError(null);
            props
              .run()
              .then(() => props.onDone?.())
              .catch((error: unknown) => props.onError(describeError(error)))
              .finally(() => setRunning(false));
          }}
        />
      ) : null}
    </>
  );
}
