import { parseArgs } from 'node:util';

/** The town simulation's settings: the town, the clock and the drill. Times are simulated minutes. */
export interface TownOptions {
  households: number;
  associations: number;
  /** Simulated seconds per real second. */
  speed: number;
  seed: number;
  /** The simulated window: the run stops here, or earlier once every household is accounted for. */
  minutes: number;
  /** The drill's answer deadline, after the start. */
  deadlineMinutes: number;
  /** Untaken tasks go to volunteers, then officers, this long after the deadline. */
  volunteersAfterMinutes: number;
  officersAfterMinutes: number;
  /** Households per 班 (the town has about households / this 班). */
  perBlock: number;
  /** Where each household's line goes (CSV). */
  csv: string;
  verbose: boolean;
}

export class TownArgsError extends Error {}

export const townDefaults: Omit<TownOptions, 'csv'> = {
  households: 1200,
  associations: 4,
  // 30 simulated minutes in 2 real minutes.
  speed: 15,
  seed: 1,
  minutes: 30,
  deadlineMinutes: 10,
  volunteersAfterMinutes: 5,
  officersAfterMinutes: 10,
  perBlock: 20,
  verbose: false,
};

export const townHelp = `tonari town simulation: a seeded town, a drill, and everyone who answers or walks

Usage: npm run town -- [options]

  --households N         households in the town                    (default ${townDefaults.households})
  --associations N       自治会 they are split into                  (default ${townDefaults.associations})
  --speed X              simulated seconds per real second           (default ${townDefaults.speed}: 30 min in 2 min)
  --seed N               seed of the town and of everyone's delays   (default ${townDefaults.seed})
  --minutes M            the simulated window                       (default ${townDefaults.minutes})
  --deadline M           the drill's answer deadline, minutes        (default ${townDefaults.deadlineMinutes})
  --volunteers-after M   untaken tasks to volunteers, after deadline (default ${townDefaults.volunteersAfterMinutes})
  --officers-after M     untaken tasks to officers, after deadline   (default ${townDefaults.officersAfterMinutes})
  --per-block N          households per 班                          (default ${townDefaults.perBlock})
  --csv FILE             each household's line                       (default town-households-<seed>.csv in the data directory)
  --verbose              print every household's line too
  --help                 this help
`;

function positive(name: string, value: string | undefined, fallback: number, { integer = true, max = Infinity } = {}): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)) || n > max) {
    throw new TownArgsError(`--${name} must be a positive ${integer ? 'whole ' : ''}number${max < Infinity ? ` up to ${max}` : ''} (got "${value}")`);
  }
  return n;
}

/** The options, or null for --help. */
export function parseTownArgs(argv: string[], dataDir = 'data'): TownOptions | null {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        households: { type: 'string' },
        associations: { type: 'string' },
        speed: { type: 'string' },
        seed: { type: 'string' },
        minutes: { type: 'string' },
        deadline: { type: 'string' },
        'volunteers-after': { type: 'string' },
        'officers-after': { type: 'string' },
        'per-block': { type: 'string' },
        csv: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    });
  } catch (error) {
    throw new TownArgsError((error as Error).message);
  }
  const v = parsed.values;
  if (v.help) return null;
  const d = townDefaults;
  const seed = v.seed === undefined ? d.seed : Number(v.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new TownArgsError(`--seed must be a whole number ≥ 0 (got "${v.seed}")`);
  const options: TownOptions = {
    households: positive('households', v.households, d.households, { max: 20_000 }),
    associations: positive('associations', v.associations, d.associations, { max: 50 }),
    speed: positive('speed', v.speed, d.speed, { integer: false, max: 120 }),
    seed,
    minutes: positive('minutes', v.minutes, d.minutes, { integer: false, max: 24 * 60 }),
    deadlineMinutes: positive('deadline', v.deadline, d.deadlineMinutes, { integer: false }),
    volunteersAfterMinutes: positive('volunteers-after', v['volunteers-after'], d.volunteersAfterMinutes, { integer: false }),
    officersAfterMinutes: positive('officers-after', v['officers-after'], d.officersAfterMinutes, { integer: false }),
    perBlock: positive('per-block', v['per-block'], d.perBlock, { max: 500 }),
    csv: v.csv ?? `${dataDir}/town-households-${seed}.csv`,
    verbose: v.verbose ?? false,
  };
  if (options.associations > options.households) throw new TownArgsError('--associations must not exceed --households');
  if (options.officersAfterMinutes <= options.volunteersAfterMinutes) throw new TownArgsError('--officers-after must be later than --volunteers-after');
  return options;
}
