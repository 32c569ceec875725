// The frame of every page: the navigation landmark, the live indicator, who this tab acts as, the
// sign-in dialog a 401 opens, and the routed page.
import { Suspense } from "react";
import { NavLink, Outlet } from "react-router";
import { Activity, Coins, Gauge, KeyRound, LayoutDashboard, ListChecks, SquareFunction, Zap } from "lucide-react";
import { Loading } from "@/components/ui";
import { Account, AuthGate } from "@/features/auth";
import { useLiveStatus } from "@/lib/live";
import { useMe } from "@/lib/me";

const LINKS = [
  { to: "/", label: "Dashboard", icon: LayoutDashboard, end: true },
  { to: "/functions", label: "Functions", icon: SquareFunction, end: false },
  { to: "/executions", label: "Executions", icon: ListChecks, end: false },
  { to: "/monitoring", label: "Monitoring", icon: Activity, end: false },
  { to: "/costs", label: "Costs", icon: Coins, end: false },
  { to: "/load-test", label: "Load test", icon: Gauge, end: false },
];
const ADMIN_LINKS = [{ to: "/keys", label: "Keys", icon: KeyRound, end: false }];

function LiveIndicator() {
  const status = useLiveStatus();
  const live = status === "live";
  return (
    <div role="status" aria-live="polite" className="flex items-center gap-2 text-sm font-medium">
      <span aria-hidden className={`h-2.5 w-2.5 rounded-full ${live ? "bg-emerald-500" : "animate-pulse bg-amber-500"}`} />
      <span className={live ? "text-emerald-800" : "text-amber-900"}>{live ? "Live" : "Reconnecting"}</span>
    </div>
  );
}

export function Layout() {
  const me = useMe();
  const links = me.data?.scopes.includes("admin") ? [...LINKS, ...ADMIN_LINKS] : LINKS;
  return (
    <div className="min-h-screen md:flex">
      <header className="border-b border-slate-200 bg-white md:w-56 md:shrink-0 md:border-r md:border-b-0">
        <div className="md:sticky md:top-0">
        <div className="flex flex-wrap items-center justify-between gap-2 px-4 py-3 md:flex-col md:flex-nowrap md:items-start md:py-5">
          <a href="/" className="flex items-center gap-2 font-semibold text-slate-900">
            <Zap aria-hidden className="h-5 w-5 text-indigo-600" /> S3-for-Compute
          </a>
          <LiveIndicator />
          <Account />
        </div>
        <nav aria-label="Main" className="overflow-x-auto px-2 pb-2 md:overflow-visible md:pb-0">
          <ul className="flex gap-1 md:flex-col">
            {links.map(({ to, label, icon: Icon, end }) => (
              <li key={to}>
                <NavLink
                  to={to}
                  end={end}
                  className={({ isActive }) =>
                    `flex items-center gap-2 whitespace-nowrap rounded-md px-3 py-2 text-sm font-medium ${
                      isActive ? "bg-indigo-50 text-indigo-700" : "text-slate-700 hover:bg-slate-100"
                    }`
                  }
                >
                  <Icon aria-hidden className="h-4 w-4" />
                  {label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        </div>
      </header>
      <main className="min-w-0 flex-1 px-4 py-6 md:px-8">
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
      <AuthGate />
    </div>
  );
}
