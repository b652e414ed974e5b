/** Kafka topics of VOLTHA (1.x names). Topics are created by producing to them. */
export const KAFKA_TOPICS = {
  /** Every committed change of the config tree, keyed by the owning device / logical device id. */
  events: 'voltha.events',
  /** Device KPIs (KpiEvent JSON). */
  kpis: 'voltha.kpis',
  /** Device alarms (AlarmEvent JSON). */
  alarms: 'voltha.alarms'
} as const;

export type KafkaTopic = (typeof KAFKA_TOPICS)[keyof typeof KAFKA_TOPICS];
