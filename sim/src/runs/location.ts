/** Where the run store lives unless --db says otherwise (relative to the working folder). */
export const DEFAULT_DB = 'runs/cctwin.db';
