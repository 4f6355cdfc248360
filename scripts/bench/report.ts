/** One benchmark figure, printed beside the baseline measured in the same run. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  baselineName?: string;
  baseline?: number;
  /** What a lower/higher ratio means, e.g. "lower is better". */
  note?: string;
  /**
   * A figure that has no baseline by nature (a count, a size): printed as "plain figure". Any other
   * row without a measured baseline is an error, so no row reads as a comparison it is not.
   */
  plain?: true;
}

export function printRows(title: string, rows: BenchRow[]): void {
  const missing = rows.filter((r) => !r.plain && (r.baseline === undefined || !r.baselineName || !Number.isFinite(r.baseline)));
  if (missing.length) {
    throw new Error(`${title}: rows without a measured baseline (measure one or mark them plain): ${missing.map((r) => r.name).join('; ')}`);
  }
  process.stdout.write(`\n## ${title}\n`);
  for (const r of rows) {
    const v = `${round(r.value)} ${r.unit}`;
    if (!r.plain && r.baseline !== undefined && r.baselineName) {
      const ratio = r.baseline === 0 ? NaN : r.value / r.baseline;
      process.stdout.write(
        `${r.name}: ${v} | baseline (${r.baselineName}): ${round(r.baseline)} ${r.unit} | ratio ${ratio.toFixed(3)}${r.note ? ` (${r.note})` : ''}\n`,
      );
    } else {
      process.stdout.write(`${r.name}: ${v} | plain figure, no baseline${r.note ? ` (${r.note})` : ''}\n`);
    }
  }
}

function round(n: number): string {
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2);
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}
