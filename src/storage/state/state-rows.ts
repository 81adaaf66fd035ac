import type { Alert, OutboxMail, Silence } from '../../alerts/model.js';

/**
 * Rows of the state tables as both adapters read them (SQLite and PostgreSQL share column names
 * and epoch-ms integers), mapped to the port's types in one place.
 */
export type Row = Record<string, unknown>;

export const ALERT_COLUMNS: Record<keyof Omit<Alert, 'id'>, string> = {
  site: 'site', device: 'device', rule: 'rule', ruleType: 'rule_type', quantity: 'quantity', severity: 'severity', state: 'state',
  startMs: 'start_ms', openedMs: 'opened_ms', updatedMs: 'updated_ms', resolvedMs: 'resolved_ms',
  measured: 'measured', expected: 'expected', unit: 'unit', summary: 'summary', flapCount: 'flap_count',
  ackBy: 'ack_by', ackComment: 'ack_comment', ackMs: 'ack_ms',
};

export function toAlert(r: Row): Alert {
  return {
    id: r.id as number, site: r.site as string, device: r.device as string, rule: r.rule as string,
    ruleType: r.rule_type as string, quantity: r.quantity as string, severity: r.severity as Alert['severity'], state: r.state as Alert['state'],
    startMs: r.start_ms as number, openedMs: r.opened_ms as number, updatedMs: r.updated_ms as number,
    resolvedMs: (r.resolved_ms as number | null) ?? null, measured: (r.measured as number | null) ?? null,
    expected: (r.expected as number | null) ?? null, unit: r.unit as string, summary: r.summary as string,
    flapCount: r.flap_count as number, ackBy: (r.ack_by as string | null) ?? null,
    ackComment: (r.ack_comment as string | null) ?? null, ackMs: (r.ack_ms as number | null) ?? null,
  };
}

export function toSilence(r: Row): Silence {
  return {
    id: r.id as number, site: r.site as string, device: (r.device as string | null) ?? null, fromMs: r.from_ms as number,
    toMs: r.to_ms as number, reason: r.reason as string, createdBy: (r.created_by as string | null) ?? null, createdMs: r.created_ms as number,
  };
}

export function toMail(r: Row): OutboxMail {
  return {
    id: r.id as number, messageId: r.message_id as string, kind: r.kind as OutboxMail['kind'], alertId: (r.alert_id as number | null) ?? null,
    recipient: r.recipient as string, subject: r.subject as string, text: r.text as string, html: (r.html as string | null) ?? null,
    createdMs: r.created_ms as number, attempts: r.attempts as number, nextAttemptMs: r.next_attempt_ms as number,
    lastError: (r.last_error as string | null) ?? null, sentMs: (r.sent_ms as number | null) ?? null,
  };
}

