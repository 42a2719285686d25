import { useEffect, useRef } from 'preact/hooks';

export interface ConfirmDialogProps {
  title: string;
  message: string;
  confirmLabel: string;
  /** Red button: the action cannot be undone. */
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/** A modal question (the native <dialog>: focus kept inside, Escape cancels). */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return (
    <dialog
      ref={ref}
      class="confirm"
      aria-labelledby="confirm-title"
      onCancel={(event) => {
        event.preventDefault();
        props.onCancel();
      }}
    >
      <h2 id="confirm-title">{props.title}</h2>
      <p>{props.message}</p>
      <div class="confirm-buttons">
        <button type="button" onClick={props.onCancel}>
          Keep it
        </button>
        <button
          type="button"
          class={props.danger ? 'button-danger' : 'button-primary'}
          onClick={props.onConfirm}
        >
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
