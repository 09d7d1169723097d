export { MatterController, type MatterControllerOptions, type ControllerTransport, type CommissionOptions, type CommissionResult, type Connection } from './matter-controller.js';
export { ControllerFabric, CONTROLLER_FABRIC_INDEX, TEST_VENDOR_ID, type ControllerFabricOptions } from './controller-fabric.js';
export { CommissionedNodes, UnknownNodeError, type CommissionedNode, type NodeAddress } from './commissioned-nodes.js';
export { commissionDevice, type CommissionDeviceOptions, type CommissionedDevice, type AttestationPolicy, type AttestationSummary } from './commission-device.js';
export { CommissioningError, type CommissioningStep } from './commissioning-error.js';
