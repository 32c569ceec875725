// The executions feature: the filterable list and one execution's page.
export { ExecutionsPage } from "./components/executions-page";
export { ExecutionDetailPage } from "./components/execution-detail-page";
