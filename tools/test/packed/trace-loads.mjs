// `node --import ./trace-loads.mjs --input-type=module -e "await import('X')"` prints, at exit,
// the packages whose modules were loaded and the native modules opened, as one JSON line.
import { register } from 'node:module';
import process from 'node:process';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';

const packages = new Set();
const native = [];
const { port1, port2 } = new MessageChannel();
const note = (url) => {
  const found = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  // The published packages themselves are what is asked for; the rest is what they pull in.
  if (found && !found[1].startsWith('@latchkey/')) packages.add(found[1]);
};
port1.unref();
register('./trace-hooks.mjs', import.meta.url, { data: { port: port2 }, transferList: [port2] });

const dlopen = process.dlopen;
process.dlopen = (module, filename, ...rest) => {
  native.push(filename.replace(/.*\/node_modules\//, ''));
  return dlopen.call(process, module, filename, ...rest);
};

process.on('exit', () => {
  // Messages from the hooks' thread arrive asynchronously: drain them before printing.
  for (let received = receiveMessageOnPort(port1); received; received = receiveMessageOnPort(port1)) note(received.message);
  console.log(JSON.stringify({ packages: [...packages].sort(), native }));
});
