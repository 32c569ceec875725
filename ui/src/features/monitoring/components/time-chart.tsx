// One line chart over time, described for screen readers by a one-line summary. Memoised and
// unanimated, so it redraws only when its rows change.
import { memo } from "react";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { clock, clockSeconds, type TimeWindow } from "../lib/series";

export interface Series {
  key: string;
  name: string;
  color: string;
  step?: boolean;
  dots?: boolean;
  /** Plot against a second axis on the right (for a series on another scale). */
  right?: boolean;
}

interface Props {
  rows: object[];
  series: Series[];
  span: TimeWindow;
  label: string;
  format: (value: number) => string;
  /** Axis ticks: shorter than `format` (which the tooltip uses) so they never wrap. */
  tickFormat?: (value: number) => string;
  allowDecimals?: boolean;
}

const TICK = { fill: "#475569", fontSize: 12 };

export const TimeChart = memo(function TimeChart({ rows, series, span, label, format, tickFormat = format, allowDecimals = true }: Props) {
  return (
    <figure aria-label={label} className="m-0">
      <div className="h-52 w-full">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: -8 }}>
            <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={span.domain}
              ticks={span.ticks}
              tickFormatter={clock}
              tick={TICK}
              minTickGap={24}
            />
            <YAxis yAxisId="left" tick={TICK} width={56} allowDecimals={allowDecimals} tickFormatter={(v: number) => tickFormat(v)} />
            {series.some((s) => s.right) ? (
              <YAxis yAxisId="right" orientation="right" tick={TICK} width={32} allowDecimals={allowDecimals} tickFormatter={(v: number) => tickFormat(v)} />
            ) : null}
            <Tooltip
              labelFormatter={(t) => clockSeconds(Number(t))}
              formatter={(value, name) => [format(Number(value)), name]}
              isAnimationActive={false}
            />
            {series.length > 1 ? <Legend wrapperStyle={{ fontSize: 12, color: "#334155" }} /> : null}
            {series.map((s) => (
              <Line
                key={s.key}
                yAxisId={s.right ? "right" : "left"}
                type={s.step ? "stepAfter" : "monotone"}
                dataKey={s.key}
                name={s.name}
                stroke={s.color}
                strokeWidth={2}
                // Dots where a minute can stand alone between empty ones (a line needs two).
                dot={s.dots ? { r: 2.5, fill: s.color, strokeWidth: 0 } : false}
                connectNulls={false}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
});
