/**
 * Edit distance with a ceiling: gives up (returns max + 1) as soon as every path exceeds `max`, so
 * scanning the whole term list for a typo stays cheap. Adjacent transpositions count as one edit.
 */
export function boundedDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (a === b) return 0;
  const n = b.length;
  // Past the ceiling: what a cell outside the rows (never read) would count as.
  const beyond = max + 1;
  let prevPrev = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min((prev[j] ?? beyond) + 1, (cur[j - 1] ?? beyond) + 1, (prev[j - 1] ?? beyond) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, (prevPrev[j - 2] ?? beyond) + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prevPrev, prev, cur] = [prev, cur, prevPrev];
  }
  return prev[n] ?? beyond;
}

/** How many edits a word of this length may carry and still count as a typo: none below 5 letters. */
export function typoBudget(word: string): number {
  if (word.length < 5) return 0;
  return word.length < 8 ? 1 : 2;
}
