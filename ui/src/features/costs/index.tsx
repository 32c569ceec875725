// Placeholder until the Costs page lands.
import { PageHeader } from "@/components/ui";

export default function CostsPage() {
  return <PageHeader title="Costs" />;
}
