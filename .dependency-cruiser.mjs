/**
 * Import rules checked by `npm run lint`: no cycle anywhere in packages/ and apps/, and the
 * layers' direction (apps → runtime → adapters → domain) never turned back.
 */
export default {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'A cycle makes the modules in it one module: split out what both need.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-stands-alone',
      severity: 'error',
      comment: 'The domain imports no other package of the workspace, no framework and no driver.',
      from: { path: '^packages/domain/src' },
      to: { path: '^(packages/(adapters|runtime)|apps)/|node_modules/(koa|@koa|knex|pg|sqlite3|better-sqlite3|ioredis|bcrypt)/' },
    },
    {
      name: 'notifications-use-only-kernel',
      severity: 'error',
      comment: 'Email texts are pure functions of their inputs: they import only kernel/.',
      from: { path: '^packages/domain/src/notifications/' },
      to: { path: '^packages/domain/src/', pathNot: '^packages/domain/src/(notifications|kernel)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { conditionNames: ['import', 'default'], exportsFields: ['exports'] },
  },
};
