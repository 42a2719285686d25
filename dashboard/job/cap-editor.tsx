import { useEffect, useRef, useState } from 'preact/hooks';
import { call } from '../api/api-client.js';
import { describeError } from '../api/api-error.js';
import type { components } from '../api/openapi.generated.js';
import { capText } from './budget-text.js';

type BudgetChange = components['schemas']['JobBudgetChangeResult'];

export interface CapEditorProps {
  jobId: string;
  maxCostUsd: number | null;
  /** After the API accepted the new cap. */
  onChanged: () => void;
}

/**
 * "Edit cap": a USD amount (empty: no cap) sent as `PATCH /v1/jobs/{id}`. The API validates;
 * its refusal is shown next to the field, as it said it.
 */
export function CapEditor({ jobId, maxCostUsd, onChanged }: CapEditorProps) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState('');
  const [saving, setSaving] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);

  useEffect(() => {
    if (editing) input.current?.focus();
    else if (returnFocus.current) editButton.current?.focus();
    returnFocus.current = false;
  }, [editing]);

  const open = () => {
    setValue(maxCostUsd === null ? '' : String(maxCostUsd));
    setError(null);
    setSaved('');
    setEditing(true);
  };
  const close = () => {
    returnFocus.current = true;
    setEditing(false);
  };
  const save = async (event: Event) => {
    event.preventDefault();
    // A number input holding what is not a number reads as '': never send that as "no cap".
    if (input.current?.validity.badInput) {
      setError('maxCostUsd: enter an amount in USD, or leave the field empty for no cap');
      return;
    }
    const text = value.trim();
    setSaving(true);
    setError(null);
    try {
      const response = await call(`/v1/jobs/${encodeURIComponent(jobId)}`, {
        method: 'PATCH',
        json: { maxCostUsd: text === '' ? null : Number(text) },
      });
      const change = (await response.json()) as BudgetChange;
      setSaved(
        change.previousStatus === change.status
          ? `Cap now ${capText(change.maxCostUsd)}; the job is ${change.status}.`
          : `Cap now ${capText(change.maxCostUsd)}; the job went from ${change.previousStatus} to ${change.status}.`,
      );
      close();
      onChanged();
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div class="cap-editor">
      {editing ? (
        <form class="inline-controls" noValidate onSubmit={(event) => void save(event)}>
          <label for="cap-input">Cap in USD (empty: no cap)</label>
          <input
            id="cap-input"
            ref={input}
            type="number"
            name="maxCostUsd"
            inputMode="decimal"
            step="any"
            value={value}
            aria-invalid={error ? 'true' : 'false'}
            aria-describedby="cap-error"
            onInput={(event) => setValue(event.currentTarget.value)}
            onKeyDown={(event) => {
              if (event.key === 'Escape') close();
            }}
          />
          <button type="submit" class="button-primary" disabled={saving}>
            Save
          </button>
          <button type="button" onClick={close} disabled={saving}>
            Cancel
          </button>
        </form>
      ) : (
        <div class="inline-controls">
          <button type="button" ref={editButton} onClick={open}>
            Edit cap
          </button>
        </div>
      )}
      <div id="cap-error" aria-live="assertive" data-testid="cap-error">
        {error ? <p class="error-line">{error}</p> : null}
      </div>
      <p class="muted" role="status" data-testid="cap-saved">
        {saved}
      </p>
    </div>
  );
}
