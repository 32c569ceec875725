// A modal dialog named by its title: opens with showModal (the page behind goes inert), focuses
// `initialFocus`, gives focus back to its opener when it closes. Escape calls `onClose`; without
// one the dialog cannot be dismissed (the sign-in dialog: nothing works until a key does).
import { useEffect, useId, useRef, type ReactNode, type RefObject } from "react";

interface Props {
  title: string;
  description?: ReactNode;
  children: ReactNode;
  onClose?: () => void;
  initialFocus?: RefObject<HTMLElement | null>;
}

export function Modal({ title, description, children, onClose, initialFocus }: Props) {
  const id = useId();
  const ref = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement as HTMLElement | null;
    if (typeof dialog.showModal === "function" && !dialog.open) dialog.showModal();
    else dialog.setAttribute("open", "");
    initialFocus?.current?.focus();
    return () => {
      if (typeof dialog.close === "function" && dialog.open) dialog.close();
      opener?.focus?.();
    };
  }, [initialFocus]);

  return (
    <dialog
      ref={ref}
      aria-labelledby={`${id}-title`}
      aria-describedby={description ? `${id}-body` : undefined}
      onCancel={(e) => {
        e.preventDefault();
        onClose?.();
      }}
      className="m-auto w-[min(30rem,calc(100vw-2rem))] rounded-lg border border-slate-200 bg-white p-5 text-slate-900 shadow-xl backdrop:bg-slate-900/40"
    >
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        {title}
      </h2>
      {description ? (
        <div id={`${id}-body`} className="mt-2 text-sm text-slate-700">
          {description}
        </div>
      ) : null}
      {children}
    </dialog>
  );
}
