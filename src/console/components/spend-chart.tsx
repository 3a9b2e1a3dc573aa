/**
 * Spend per day as a uPlot bar chart (uPlot is bundled into the binary, never fetched). The same
 * figures are in a visually hidden table, so screen readers get them too.
 */
import { useEffect, useRef } from 'preact/hooks'
import uPlot from 'uplot'
import type { Spend } from '../types'
import { money } from '../format'

const DAY_S = 86_400

/** Axis labels with as many decimals as the largest tick needs (micro-dollar spends stay readable). */
function dollars(ticks: number[]): string[] {
  const max = Math.max(...ticks)
  const decimals = max < 0.01 ? 6 : max < 1 ? 4 : 2
  return ticks.map((t) => `$${t.toFixed(decimals)}`)
}

export function SpendChart({ spend }: { spend: Spend }) {
  const box = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const el = box.current
    if (!el) return
    const xs = spend.data.map((d) => Date.parse(`${d.date}T00:00:00Z`) / 1000)
    const ys = spend.data.map((d) => Number(d.amount))
    const css = getComputedStyle(document.documentElement)
    const accent = css.getPropertyValue('--accent').trim() || '#2563eb'
    const grid = css.getPropertyValue('--border').trim() || '#e5e7eb'
    const text = css.getPropertyValue('--muted').trim() || '#6b7280'
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } }
    const opts: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height: 220,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true, range: (_u, min, max) => [min - DAY_S / 2, max + DAY_S / 2] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] } },
      axes: [
        { ...axis, values: (_u, splits) => splits.map((s) => new Date(s * 1000).toISOString().slice(5, 10)) },
        { ...axis, size: 86, values: (_u, splits) => dollars(splits) },
      ],
      series: [{}, { label: 'Spend (USD)', stroke: accent, fill: accent + '99', width: 1, paths: uPlot.paths.bars!({ size: [0.7, 40] }), points: { show: false } }],
    }
    const plot = new uPlot(opts, [xs, ys], el)
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.clientWidth), height: 220 }))
    resize.observe(el)
    return () => {
      resize.disconnect()
      plot.destroy()
    }
  }, [spend])
  return (
    <figure class="chart">
      <div ref={box} class="chart-canvas" aria-hidden="true" data-testid="spend-chart" />
      <figcaption>
        Spend per day (UTC), last {spend.days} days: {money(spend.total)} in total.
      </figcaption>
      <div class="visually-hidden">
        <table>
          <caption>Spend per day</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Spend</th>
            </tr>
          </thead>
          <tbody>
            {spend.data.map((d) => (
              <tr key={d.date}>
                <td>{d.date}</td>
                <td>{money(d.amount)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  )
}
