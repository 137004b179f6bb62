// A trigger's lag (line) and records/s (bars) over the last 15 minutes, as inline SVG.

export interface ChartPoint {
  at: number;
  lag: number | null;
  rate: number;
}

const WIDTH = 280;
const HEIGHT = 60;
const WINDOW_MS = 15 * 60 * 1000;

export function lagChart(points: readonly ChartPoint[], now: number): string {
  const x = (at: number): number => WIDTH - ((now - at) / WINDOW_MS) * WIDTH;
  const maxLag = Math.max(1, ...points.map(({ lag }) => lag ?? 0));
  const maxRate = Math.max(1, ...points.map(({ rate }) => rate));
  const bars = points
    .map(({ at, rate }) => {
      const h = (rate / maxRate) * HEIGHT;
      return `<rect x="${x(at).toFixed(1)}" y="${(HEIGHT - h).toFixed(1)}" width="1.5" height="${h.toFixed(1)}" fill="#9bc7a4"/>`;
    })
    .join('');
  const line = points
    .filter(({ lag }) => lag !== null)
    .map(({ at, lag }) => `${x(at).toFixed(1)},${(HEIGHT - ((lag ?? 0) / maxLag) * (HEIGHT - 2)).toFixed(1)}`)
    .join(' ');
  return (
    `<svg class="kafka-sidebar-chart" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">` +
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="none" stroke="#ddd"/>${bars}` +
    `<polyline points="${line}" fill="none" stroke="#c0392b" stroke-width="1.5"/>` +
    `<text x="3" y="11" font-size="10" fill="#c0392b">${maxLag}</text>` +
    `<text x="${WIDTH - 3}" y="11" font-size="10" fill="#4a8c57" text-anchor="end">${maxRate}/s</text></svg>`
  );
}
