import type { AuditLog } from '../ports/audit-log';
import type { Clock } from '../kernel/clock';
import { systemClock } from '../kernel/clock';

export interface AuditRetentionSettings {
  /** Events older than this are deleted. */
  retentionMs: number;
  /** Rows deleted by one statement: short statements never hold the table long. */
  batchSize: number;
  /** Batches of one prune at most, so one run is bounded too; the next run goes on. */
  maxBatches: number;
}

export const DEFAULT_AUDIT_RETENTION: Omit<AuditRetentionSettings, 'retentionMs'> = { batchSize: 1000, maxBatches: 100 };

/** Deletes audit events past their retention, in bounded batches. */
export class AuditRetention {
  readonly settings: AuditRetentionSettings;

  constructor(
    private readonly audit: AuditLog,
    settings: Pick<AuditRetentionSettings, 'retentionMs'> & Partial<AuditRetentionSettings>,
    private readonly clock: Clock = systemClock,
  ) {
    this.settings = { ...DEFAULT_AUDIT_RETENTION, ...settings };
  }

  /** Deletes what is past retention; resolves to the number of events deleted. */
  async prune(): Promise<number> {
    const cutoff = this.clock.now() - this.settings.retentionMs;
    let deleted = 0;
    for (let batch = 0; batch < this.settings.maxBatches; batch++) {
      const count = await this.audit.deleteOlderThan(cutoff, this.settings.batchSize);
      deleted += count;
      if (count < this.settings.batchSize) break;
    }
    return deleted;
  }
}
