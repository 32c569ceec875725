// The CodeMirror editor behind the "Code" field. Its contenteditable is the textbox, so the
// accessible name and description go on it (a <label for> cannot point at a contenteditable).
import { useMemo } from "react";
import CodeMirror, { EditorView } from "@uiw/react-codemirror";
import { javascript } from "@codemirror/lang-javascript";
import { python } from "@codemirror/lang-python";
import type { Runtime } from "@/lib/types";

export interface CodeEditorProps {
  value: string;
  onChange: (value: string) => void;
  runtime: Runtime;
  labelledBy: string;
  describedBy?: string;
  invalid?: boolean;
}

// No auto-closed brackets or completion popups: typed (or pasted, or scripted) text lands as typed.
const BASIC_SETUP = { foldGutter: false, closeBrackets: false, autocompletion: false } as const;

export default function CodeEditor({ value, onChange, runtime, labelledBy, describedBy, invalid = false }: CodeEditorProps) {
  const extensions = useMemo(() => {
    const attributes: Record<string, string> = { "aria-labelledby": labelledBy, "aria-invalid": String(invalid) };
    if (describedBy) attributes["aria-describedby"] = describedBy;
    return [runtime === "python" ? python() : javascript(), EditorView.contentAttributes.of(attributes), EditorView.lineWrapping];
  }, [runtime, labelledBy, describedBy, invalid]);

  return (
    <div
      className={`overflow-hidden rounded-md border bg-white shadow-sm focus-within:ring-1 ${
        invalid ? "border-red-500 focus-within:ring-red-500" : "border-slate-300 focus-within:border-indigo-500 focus-within:ring-indigo-500"
      }`}
    >
      <CodeMirror value={value} onChange={onChange} extensions={extensions} minHeight="14rem" maxHeight="32rem" basicSetup={BASIC_SETUP} />
    </div>
  );
}
