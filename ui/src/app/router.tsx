// Client-side routes (DESIGN section 11). Each page is its own chunk, loaded on first visit.
import { lazy } from "react";
import { createBrowserRouter, Link } from "react-router";
import { PageHeader } from "@/components/ui";
import { Layout } from "./layout";

const DashboardPage = lazy(() => import("@/features/dashboard"));
const FunctionsPage = lazy(() => import("@/features/functions").then((m) => ({ default: m.FunctionsPage })));
const NewFunctionPage = lazy(() => import("@/features/functions").then((m) => ({ default: m.NewFunctionPage })));
const EditFunctionPage = lazy(() => import("@/features/functions").then((m) => ({ default: m.EditFunctionPage })));
const FunctionDetailPage = lazy(() => import("@/features/functions").then((m) => ({ default: m.FunctionDetailPage })));
const ExecutionsPage = lazy(() => import("@/features/executions").then((m) => ({ default: m.ExecutionsPage })));
const ExecutionDetailPage = lazy(() => import("@/features/executions").then((m) => ({ default: m.ExecutionDetailPage })));
const MonitoringPage = lazy(() => import("@/features/monitoring"));
const CostsPage = lazy(() => import("@/features/costs"));
const LoadTestPage = lazy(() => import("@/features/load-test"));
const KeysPage = lazy(() => import("@/features/keys"));

function NotFound() {
  return (
    <PageHeader title="Page not found">
      Nothing lives here. <Link className="text-indigo-700 underline" to="/">Back to the dashboard</Link>.
    </PageHeader>
  );
}

export const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { path: "/", element: <DashboardPage /> },
      { path: "/functions", element: <FunctionsPage /> },
      { path: "/functions/new", element: <NewFunctionPage /> },
      { path: "/functions/:id", element: <FunctionDetailPage /> },
      { path: "/functions/:id/edit", element: <EditFunctionPage /> },
      { path: "/executions", element: <ExecutionsPage /> },
      { path: "/executions/:id", element: <ExecutionDetailPage /> },
      { path: "/monitoring", element: <MonitoringPage /> },
      { path: "/costs", element: <CostsPage /> },
      { path: "/load-test", element: <LoadTestPage /> },
      { path: "/keys", element: <KeysPage /> },
      { path: "*", element: <NotFound /> },
    ],
  },
]);
