// Placeholder until the execution pages land.
import { PageHeader } from "@/components/ui";

export function ExecutionsPage() {
  return <PageHeader title="Executions" />;
}
export function ExecutionDetailPage() {
  return <PageHeader title="Execution" />;
}
