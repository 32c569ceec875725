// A confirmation before revoking a key: "Revoke" and "Cancel" (Escape cancels).
import { useRef } from "react";
import { Modal } from "@/components/modal";
import { dangerButton, secondaryButton } from "@/components/ui";

interface Props {
  label: string;
  pending: boolean;
  error: string | null;
  onConfirm: () => void;
  onCancel: () => void;
}

export function RevokeDialog({ label, pending, error, onConfirm, onCancel }: Props) {
  const cancel = useRef<HTMLButtonElement>(null);
  return (
    <Modal
      title={`Revoke ${label}?`}
      initialFocus={cancel}
      onClose={onCancel}
      description="Requests signed with this key fail within a second, and so does its live connection. A revoked key cannot be restored."
    >
      {error ? (
        <p role="alert" className="mt-2 text-sm break-words text-red-700">
          {error}
        </p>
      ) : null}
      <div className="mt-5 flex justify-end gap-2">
        <button ref={cancel} type="button" className={secondaryButton} onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className={dangerButton} onClick={onConfirm} disabled={pending}>
          Revoke
        </button>
      </div>
    </Modal>
  );
}
