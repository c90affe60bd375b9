import process from 'node:process';
import { createApp } from './app.js';

const { server, close } = await createApp({ databaseUrl: process.env.DATABASE_URL ?? 'sqlite:data/app.db' });
server.listen(Number(process.env.PORT ?? 3000), () => console.log(`listening on http://localhost:${server.address().port}`));
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void close());
