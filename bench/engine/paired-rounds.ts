type Sides = Record<string, (round: number) => Promise<unknown>>;
type RoundResults<S extends Sides> = { [K in keyof S]: Awaited<ReturnType<S[K]>> };

/**
 * Runs every side once a round, `rounds` times, the order rotating from round
 * to round (a b, b a, a b… for two sides), so neither side always runs first
 * on a warmer or quieter machine. Returns each round's results by side.
 */
export async function runPairedRounds<S extends Sides>(
  rounds: number,
  sides: S,
  onRound?: (round: number, results: RoundResults<S>) => void,
): Promise<Array<RoundResults<S>>> {
  const names = Object.keys(sides) as Array<keyof S & string>;
  const all: Array<RoundResults<S>> = [];
  for (let round = 0; round < rounds; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]!);
    const results = {} as RoundResults<S>;
    for (const side of order) {
      results[side] = (await sides[side]!(round)) as RoundResults<S>[typeof side];
    }
    all.push(results);
    onRound?.(round, results);
  }
  return all;
}
