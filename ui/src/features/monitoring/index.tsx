// Placeholder until the Monitoring page lands.
import { PageHeader } from "@/components/ui";

export default function MonitoringPage() {
  return <PageHeader title="Monitoring" />;
}
