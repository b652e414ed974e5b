import { DecomposerStats, FailedFlow } from '@voltha/proto/services';
import {
  applyActions,
  ethType,
  flowStats,
  gotoTable,
  inPort,
  meter,
  metadata,
  OFPP_CONTROLLER,
  output,
  popVlan,
  pushVlan,
  setVlanVid,
  vlanVid,
  writeMetadata
} from '@voltha/openflow';
import {
  Adapter,
  AdminState_AdminState,
  ConfigEvent,
  ConfigEventType,
  ConnectStatus_ConnectStatus,
  Device,
  JsonPatchOperation,
  LogicalDevice,
  LogicalPort,
  LogLevel_LogLevel,
  OperStatus_OperStatus,
  Port,
  Port_PortType,
  Revision,
  Tag,
  toAny,
  Voltha,
  VolthaInstance
} from '@voltha/proto';
import type { Any, ofpFlowStats, UnknownMessage } from '@voltha/proto';

/** Canned core-config data for the CLI tests (typed messages of @voltha/proto). */

export const OLT_ID = 'a1b2c3d4e5f60001';
export const ONU_ID = 'a1b2c3d4e5f60002';
export const NEW_ID = 'a1b2c3d4e5f60003';
export const LD_ID = '0001aabbccddeeff';
export const U64_MAX = '18446744073709551615';
export const DATAPATH_ID = '12345678901234567890';
/** 2^60 + 7: not representable as a double, so it proves 64-bit values stay exact. */
export const BIG_METADATA = '1152921504606846983';

export const olt = Device.fromPartial({
  id: OLT_ID,
  type: 'simulated_olt',
  root: true,
  parentId: LD_ID,
  vendor: 'simulated',
  serialNumber: 'SIMOLT0001',
  adapter: 'simulated_olt',
  macAddress: '00:0c:e2:31:40:00',
  adminState: AdminState_AdminState.ENABLED,
  operStatus: OperStatus_OperStatus.ACTIVE,
  connectStatus: ConnectStatus_ConnectStatus.REACHABLE
});

export const onu = Device.fromPartial({
  id: ONU_ID,
  type: 'simulated_onu',
  root: false,
  parentId: OLT_ID,
  parentPortNo: 1,
  serialNumber: 'BBSM00000001',
  adapter: 'simulated_onu',
  adminState: AdminState_AdminState.ENABLED,
  operStatus: OperStatus_OperStatus.ACTIVATING,
  connectStatus: ConnectStatus_ConnectStatus.REACHABLE,
  reason: 'starting-openomci'
});

export const devices = [olt, onu];

export const oltPorts = [
  Port.fromPartial({
    portNo: 1,
    label: 'pon',
    type: Port_PortType.PON_OLT,
    adminState: AdminState_AdminState.ENABLED,
    operStatus: OperStatus_OperStatus.ACTIVE,
    deviceId: OLT_ID,
    peers: [{ deviceId: ONU_ID, portNo: 1 }]
  }),
  Port.fromPartial({
    portNo: 2,
    label: 'nni',
    type: Port_PortType.ETHERNET_NNI,
    adminState: AdminState_AdminState.ENABLED,
    operStatus: OperStatus_OperStatus.ACTIVE,
    deviceId: OLT_ID
  })
];

/** EAPOL trap: tagged 4000 from the PON to the controller. */
export const trapFlow: ofpFlowStats = {
  ...flowStats({
    tableId: 0,
    priority: 1000,
    cookie: U64_MAX,
    match: [inPort(1), vlanVid(0x1000 | 4000), ethType(0x888e)],
    instructions: [applyActions([pushVlan(0x8100), setVlanVid(0x1000 | 4091), output(OFPP_CONTROLLER)])]
  }),
  packetCount: '9007199254740993'
};

/** Upstream data: untagged from UNI 101, metadata match, then pop, NNI out, meter, goto, write metadata. */
export const dataFlow: ofpFlowStats = flowStats({
  tableId: 1,
  priority: 500,
  cookie: '42',
  match: [inPort(101), vlanVid(0), metadata(BIG_METADATA)],
  instructions: [applyActions([popVlan(), output(2)]), meter(3), gotoTable(2), writeMetadata(BIG_METADATA)]
});

export const oltFlows = [trapFlow, dataFlow];

export const logicalDevice = LogicalDevice.fromPartial({
  id: LD_ID,
  datapathId: DATAPATH_ID,
  rootDeviceId: OLT_ID,
  desc: {
    mfrDesc: 'VOLTHA Project',
    hwDesc: 'simulated_pon',
    swDesc: 'simulated_pon',
    serialNum: 'SIMOLT0001'
  }
});

export const logicalPorts = [
  LogicalPort.fromPartial({
    id: 'nni',
    ofpPort: { portNo: 129, name: 'nni', hwAddr: [0, 0, 0, 0, 0, 129], state: 4, config: 0 },
    deviceId: OLT_ID,
    devicePortNo: 2,
    rootPort: true
  }),
  LogicalPort.fromPartial({
    id: 'uni-101',
    ofpPort: { portNo: 101, name: 'uni-101', hwAddr: [0, 0, 0, 0, 0, 101], state: 1, config: 1 },
    deviceId: ONU_ID,
    devicePortNo: 101,
    rootPort: false
  })
];

export const adapters = [
  Adapter.fromPartial({
    id: 'simulated_olt',
    vendor: 'Voltha project',
    version: '0.1',
    logicalDeviceIds: [LD_ID],
    config: { logLevel: LogLevel_LogLevel.INFO }
  }),
  Adapter.fromPartial({
    id: 'simulated_onu',
    vendor: 'Voltha project',
    version: '0.1',
    config: { logLevel: LogLevel_LogLevel.DEBUG }
  })
];

export const voltha = Voltha.fromPartial({
  version: '2.0.0-ts',
  instances: [{ instanceId: 'core-config-1' }]
});

export const volthaInstance = VolthaInstance.fromPartial({
  instanceId: 'core-config-1',
  version: '2.0.0-ts'
});

export const HASH_1 = '0a1b2c3d4e5f60718293a4b5';
export const HASH_2 = '1b2c3d4e5f60718293a4b5c6';
export const HASH_3 = '2c3d4e5f60718293a4b5c6d7';
export const revisions = [HASH_1, HASH_2, HASH_3].map((hash) => Revision.fromPartial({ hash }));
export const tags = [
  Tag.fromPartial({ name: 'before', hash: HASH_1 }),
  Tag.fromPartial({ name: 'after', hash: HASH_2 })
];

export const diffOperations = [
  JsonPatchOperation.fromPartial({ op: 'replace', path: '/admin_state', value: '"ENABLED"' }),
  JsonPatchOperation.fromPartial({ op: 'add', path: '/serial_number', value: '"SIMOLT0001"' })
];

/** google.protobuf.Any of a message, as the generated Any type (value a Buffer). */
export function anyOf(message: UnknownMessage): Any {
  const any = toAny(message);
  return { ...any, value: Buffer.from(any.value) };
}

const at = (seconds: number): { seconds: string; nanos: number } => ({
  seconds: String(seconds),
  nanos: 250_000_000
});

/** 2024-01-02T03:04:05.250Z and the following seconds. */
const T0 = 1704164645;

export const events = [
  ConfigEvent.fromPartial({
    type: ConfigEventType.add,
    hash: 'aaaaaaaaaaaaaaaaaaaaaaa1',
    data: '{"id":"a1b2c3d4e5f60003"}',
    path: '/devices/a1b2c3d4e5f60003',
    rootHash: HASH_1,
    seq: '101',
    timestamp: at(T0),
    message: anyOf(Device.fromPartial({ id: NEW_ID, type: 'simulated_olt' })),
    key: NEW_ID
  }),
  ConfigEvent.fromPartial({
    type: ConfigEventType.update,
    hash: 'aaaaaaaaaaaaaaaaaaaaaaa2',
    data: '{"id":"0001aabbccddeeff"}',
    path: '/logical_devices/0001aabbccddeeff',
    rootHash: HASH_2,
    seq: '102',
    timestamp: at(T0 + 1),
    message: anyOf(LogicalDevice.fromPartial({ id: LD_ID, datapathId: DATAPATH_ID })),
    key: LD_ID
  }),
  ConfigEvent.fromPartial({
    type: ConfigEventType.remove,
    hash: 'aaaaaaaaaaaaaaaaaaaaaaa3',
    data: '{"id":"a1b2c3d4e5f60002"}',
    path: '/devices/a1b2c3d4e5f60002',
    rootHash: HASH_3,
    seq: '18446744073709551615',
    timestamp: at(T0 + 2),
    message: anyOf(Device.fromPartial({ id: ONU_ID })),
    key: ONU_ID
  })
];

// ---- flow-decomposer ----------------------------------------------------------------------------

export const decomposerStats = DecomposerStats.fromPartial({
  logicalDevices: 1,
  logicalFlows: 12,
  deviceFlows: 30,
  failedFlows: 2,
  eventsProcessed: '18446744073709551615',
  batchesWritten: '9007199254740993',
  reconciles: '3',
  lastSeq: '120',
  eventSource: 'kafka'
});

export const failedFlows = [
  FailedFlow.fromPartial({
    logicalDeviceId: LD_ID,
    flowId: '18446744073709551615',
    reason: 'NO_ROUTE',
    message: 'no route from port 1 to port 16'
  }),
  FailedFlow.fromPartial({
    logicalDeviceId: 'ffff000000000002',
    flowId: '42',
    reason: 'MISSING_GROUP',
    message: 'group 7 does not exist'
  })
];
