/**
 * The choices the calibration commands offer, defined once and kept apart from the
 * fitting code so that the command line can list them without loading it.
 */
export type LogFormat = 'anonbank' | 'csv';
/** Call-log formats: the Anonymous Bank TSV and the generic CSV (calibration-data/README.md). */
export const LOG_FORMATS: readonly LogFormat[] = ['anonbank', 'csv'];

export type HandleMode = 'lognormal' | 'empirical';
/** How a fitted scenario describes handle time: a histogram of the observed times, or short calls + a lognormal. */
export const HANDLE_MODES: readonly HandleMode[] = ['lognormal', 'empirical'];

export type StaffingMethod = 'distinct' | 'busy' | 'present';
/** How agents on the floor are read from a log. */
export const STAFFING_METHODS: readonly StaffingMethod[] = ['distinct', 'busy', 'present'];
