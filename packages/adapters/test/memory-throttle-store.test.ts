import { MemoryThrottleStore } from '../src';
import { throttleStoreContract } from './throttle-store.contract';

throttleStoreContract('memory', async () => {
  let time = 1_000_000;
  return {
    store: new MemoryThrottleStore({ now: () => time }),
    advance: async (ms) => {
      time += ms;
    },
  };
});
