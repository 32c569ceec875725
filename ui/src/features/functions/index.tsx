// Placeholder until the function pages land.
import { PageHeader } from "@/components/ui";

export function FunctionsPage() {
  return <PageHeader title="Functions" />;
}
export function NewFunctionPage() {
  return <PageHeader title="New function" />;
}
export function EditFunctionPage() {
  return <PageHeader title="Edit function" />;
}
export function FunctionDetailPage() {
  return <PageHeader title="Function" />;
}
