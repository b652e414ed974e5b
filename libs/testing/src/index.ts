export { ConsulTestServer } from './consul/consul-test-server';
export type {
  ConsulAclPolicy,
  ConsulRequestRecord,
  ConsulTestServerOptions
} from './consul/consul-test-server';
export { ConsulState, ConsulStateError } from './consul/consul-state';
export type { ConsulKvEntry, ConsulSession, ConsulTxnKvOp } from './consul/consul-state';
export { parseGoDuration } from './consul/consul-duration';
export { startEtcd } from './etcd/etcd-harness';
export type { EtcdHarness, StartEtcdOptions } from './etcd/etcd-harness';
export { FaultProxy } from './fault-proxy/fault-proxy';
export type { FaultMode, FaultProxyOptions, FaultProxyStats } from './fault-proxy/fault-proxy';
export { findKafkaMockScript, startKafkaMock } from './kafka/kafka-mock';
export type { KafkaMock, StartKafkaMockOptions } from './kafka/kafka-mock';
export { getFreePort, getFreePorts } from './net/free-port';
export { TEST_TLS } from './tls/test-certificate';
export { REPO_ROOT, ServiceProcess, servicePorts } from './process/service-process';
export type { ServiceProcessOptions } from './process/service-process';
export { grpcCaller } from './process/grpc-clients';
export type { GrpcCaller } from './process/grpc-clients';
export { CoreConfigProcess, loopbackServiceArgs } from './process/core-config-process';
