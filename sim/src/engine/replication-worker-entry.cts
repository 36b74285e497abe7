/**
 * The file each pool thread loads (pool.ts): CommonJS, so that piscina, which first
 * tries `require()` on a worker file, loads it synchronously with nothing to race,
 * and the engine's ES modules come in through `import()`, once per thread.
 *
 * Pointed at the ES module itself, piscina's `require()` went through Node 20's
 * require(esm), and once in a fresh-clone test run (during the tests of plug-in policies, which start
 * pools of two threads) a thread aborted the whole process with "FATAL ERROR: v8::Module::IsGraphAsync
 * must be used on an instantiated module" inside that synchronous load. Node's known
 * faults there are races between require(esm) and import() of one module graph
 * (nodejs/node#55782), which a thread meets when the policy loader imports a module.
 * It did not recur in 240 starts and stops of a pool by hand, so the cause is not
 * pinned down; with this entry no thread loads ES modules through require() at all.
 */
type Task = import('./replication-worker.ts').ReplicationTask;
type Handler = (task: Task) => Promise<Float64Array>;

let handler: Promise<Handler> | undefined;

function runTask(task: Task): Promise<Float64Array> {
  handler ??= import('./replication-worker.ts').then((m) => m.default);
  return handler.then((h) => h(task));
}

export = runTask;
