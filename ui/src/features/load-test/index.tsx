// Placeholder until the Load test page lands.
import { PageHeader } from "@/components/ui";

export default function LoadTestPage() {
  return <PageHeader title="Load test" />;
}
