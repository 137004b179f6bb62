// For the CLIs: waits until Ctrl-C (or SIGTERM) or until the process they watch has gone.

/** Resolves on SIGINT/SIGTERM, or once `isRunning()` turns false (checked every second). */
export function untilSignalOrExit(isRunning: () => boolean): Promise<'signal' | 'exited'> {
  return new Promise((resolve) => {
    // The interval also keeps Node alive: the JVMs themselves are unref'd.
    const watch = setInterval(() => !isRunning() && finish('exited'), 1000);
    const onSignal = () => finish('signal');
    const finish = (reason: 'signal' | 'exited') => {
      clearInterval(watch);
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      resolve(reason);
    };
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  });
}
