/**
 * The chart of docs/BENCHMARKS.md, drawn from a run's results: import rate
 * (records per second) against record count, one colour per database, the
 * store solid and its baseline dashed. Both axes on log scales, so that a
 * flat line is a linear import and the gap between a store and its baseline
 * is their ratio wherever it is drawn. Plain SVG text, no dependency.
 */
import type { BenchResults } from './report';

const WIDTH = 760;
const HEIGHT = 440;
const MARGIN = { top: 48, right: 200, bottom: 56, left: 84 };
const COLOURS: Readonly<Record<string, string>> = { sqlite: '#1f77b4', postgres: '#2ca02c', mysql: '#d62728' };

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The ticks 1, 2 and 5 times each power of ten from `low` (a power of ten) up to `high`. */
function logTicks(low: number, high: number): number[] {
  const ticks: number[] = [];
  for (let power = low; power <= high; power *= 10) for (const factor of [1, 2, 5]) if (factor * power <= high) ticks.push(factor * power);
  return ticks;
}

const label = (n: number) => (n >= 1000 ? `${(n / 1000).toLocaleString('en-US')}k` : String(n));

export function importRateChart(results: BenchResults): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sizes = results.settings.sizes;
  const rates = results.databases.flatMap((database) => database.import.points.flatMap((point) => [point.store.rate, point.baseline.rate]));
  const bottom = 10 ** Math.floor(Math.log10(Math.max(1, Math.min(...rates))));
  const top = 10 ** Math.ceil(Math.log10(Math.max(bottom * 10, ...rates)));
  const [low, high] = [Math.log10(Math.min(...sizes)), Math.log10(Math.max(...sizes))];
  const x = (records: number) => MARGIN.left + (high === low ? plotWidth / 2 : ((Math.log10(records) - low) / (high - low)) * plotWidth);
  const y = (rate: number) =>
    MARGIN.top + plotHeight - ((Math.log10(rate) - Math.log10(bottom)) / (Math.log10(top) - Math.log10(bottom))) * plotHeight;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<title>Import rate against record count: the store and its baseline on each database</title>`);
  out.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`);
  out.push(
    `<text x="${MARGIN.left}" y="24" font-size="15" font-weight="bold">Import rate (records/s) against record count</text>`,
    `<text x="${MARGIN.left}" y="40" fill="#555555">${escape(`${results.machine.cpu}, node ${results.machine.node}, ${results.date.slice(0, 10)}`)}</text>`,
  );
  for (const value of logTicks(bottom, top)) {
    out.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${y(value).toFixed(1)}" y2="${y(value).toFixed(1)}" stroke="#e5e5e5"/>`,
      `<text x="${MARGIN.left - 8}" y="${(y(value) + 4).toFixed(1)}" text-anchor="end">${value.toLocaleString('en-US')}</text>`,
    );
  }
  for (const records of sizes) {
    out.push(
      `<line x1="${x(records).toFixed(1)}" x2="${x(records).toFixed(1)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotHeight}" stroke="#e5e5e5"/>`,
      `<text x="${x(records).toFixed(1)}" y="${MARGIN.top + plotHeight + 18}" text-anchor="middle">${label(records)}</text>`,
    );
  }
  out.push(
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${MARGIN.top + plotHeight}" y2="${MARGIN.top + plotHeight}" stroke="#333333"/>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotHeight}" stroke="#333333"/>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 14}" text-anchor="middle">records imported (log scale)</text>`,
    `<text transform="translate(18 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">records per second (log scale)</text>`,
  );
  let legend = MARGIN.top + 8;
  for (const database of results.databases) {
    const colour = COLOURS[database.driver] ?? '#333333';
    for (const who of ['store', 'baseline'] as const) {
      const points = database.import.points.map((point) => `${x(point.records).toFixed(1)},${y(point[who].rate).toFixed(1)}`);
      const dash = who === 'baseline' ? ' stroke-dasharray="6 4"' : '';
      out.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`);
      for (const point of database.import.points) {
        out.push(
          `<circle cx="${x(point.records).toFixed(1)}" cy="${y(point[who].rate).toFixed(1)}" r="3.5" fill="${who === 'store' ? colour : '#ffffff'}" stroke="${colour}" stroke-width="1.5"/>`,
        );
      }
      const legendX = MARGIN.left + plotWidth + 16;
      out.push(
        `<line x1="${legendX}" x2="${legendX + 28}" y1="${legend}" y2="${legend}" stroke="${colour}" stroke-width="2"${dash}/>`,
        `<text x="${legendX + 36}" y="${legend + 4}">${escape(`${database.name}, ${who}`)}</text>`,
      );
      legend += 20;
    }
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
