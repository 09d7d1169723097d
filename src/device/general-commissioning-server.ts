// The General Commissioning cluster server (Matter Core spec §11.10, cluster 0x0030) on the root endpoint:
// ArmFailSafe (arm, extend, or expire now with 0), SetRegulatoryConfig, CommissioningComplete (over CASE only, on the
// fabric the fail-safe worked on), and the attributes Breadcrumb, BasicCommissioningInfo, RegulatoryConfig,
// LocationCapability and SupportsConcurrentConnection.
import { tlv } from '../codec/tlv.js';
import { CommissioningErrorCode, GeneralCommissioningCluster as Cluster } from '../clusters/general-commissioning.js';
import { serveCommand } from '../clusters/serve-command.js';
import type { ServedCluster } from '../interaction/interaction-server.js';
import { ConstraintError } from '../interaction/interaction-status-error.js';
import type { DeviceContext } from './device-context.js';

/** The fail-safe length a commissioner should ask for (spec: at least 60 s). */
export const FAIL_SAFE_EXPIRY_LENGTH_SECONDS = 60;

const ok = { errorCode: CommissioningErrorCode.ok, debugText: '' };
const error = (code: number, debugText: string) => ({ errorCode: code, debugText });

export function generalCommissioningServer(device: DeviceContext): ServedCluster {
  const { armFailSafe, setRegulatoryConfig, commissioningComplete } = Cluster.commands;
  const { attributes: a } = Cluster;
  const breadcrumbChanged = () => device.changed(0, Cluster.id, a.breadcrumb.id);
  return {
    attributes: {
      [a.breadcrumb.id]: {
        value: () => tlv.uint(device.breadcrumb),
        writePrivilege: 'administer',
        write: (value) => { device.breadcrumb = a.breadcrumb.type.decode(value, 'Breadcrumb'); },
      },
      [a.basicCommissioningInfo.id]: {
        value: a.basicCommissioningInfo.type.encode({
          failSafeExpiryLengthSeconds: FAIL_SAFE_EXPIRY_LENGTH_SECONDS,
          maxCumulativeFailsafeSeconds: device.failSafe.maxCumulativeSeconds,
        }, 'BasicCommissioningInfo'),
      },
      [a.regulatoryConfig.id]: { value: () => tlv.uint(device.regulatoryConfig) },
      [a.locationCapability.id]: { value: tlv.uint(device.locationCapability) },
      [a.supportsConcurrentConnection.id]: { value: tlv.bool(true) },
    },
    commands: {
      // In a fleet, two commissioners arming at once on two instances: the one whose context was stored first wins.
      [armFailSafe.id]: serveCommand(armFailSafe, ({ expiryLengthSeconds, breadcrumb }, context) => device.withFailSafe(() => {
        const failSafe = device.failSafe;
        const fabricIndex = device.fabricOf(context);
        // Spec §11.10.7.2.1: another administrator's fail-safe is not ours to touch.
        if (failSafe.armed && !failSafe.armedBy(context.session)
          && (fabricIndex === undefined || fabricIndex !== (failSafe.context!.addedFabricIndex ?? failSafe.context!.armedFabricIndex))) {
          return error(CommissioningErrorCode.busyWithOtherAdmin, 'the fail-safe is armed by another administrator');
        }
        // ...and while a commissioning window is open for someone else, CASE may not arm it.
        if (!failSafe.armed && device.window.isOpen && context.authMode === 'case' && expiryLengthSeconds > 0) {
          return error(CommissioningErrorCode.busyWithOtherAdmin, 'a commissioning window is open');
        }
        if (expiryLengthSeconds === 0) {
          failSafe.expire();
        } else {
          failSafe.arm(expiryLengthSeconds, context.session, fabricIndex, device.fabrics.acl());
          device.breadcrumb = breadcrumb;
          breadcrumbChanged();
        }
        return ok;
      }, () => error(CommissioningErrorCode.busyWithOtherAdmin, 'the fail-safe was armed by another administrator meanwhile')),
      { privilege: 'administer' }),
      [setRegulatoryConfig.id]: serveCommand(setRegulatoryConfig, ({ newRegulatoryConfig, breadcrumb }) => device.withFailSafe(() => {
        if (newRegulatoryConfig > 2) throw new ConstraintError('NewRegulatoryConfig', `expected 0 to 2, got ${newRegulatoryConfig}`);
        // Spec §11.10.7.4: a node that can only be indoor (or outdoor) takes no other location.
        if (device.locationCapability !== 2 && newRegulatoryConfig !== device.locationCapability) {
          return error(CommissioningErrorCode.valueOutsideRange, `this node's location capability is ${device.locationCapability}`);
        }
        device.regulatoryConfig = newRegulatoryConfig;
        device.changed(0, Cluster.id, a.regulatoryConfig.id);
        device.breadcrumb = breadcrumb;
        breadcrumbChanged();
        return ok;
      }), { privilege: 'administer' }),
      [commissioningComplete.id]: serveCommand(commissioningComplete, (_fields, context) => device.withFailSafe(async () => {
        // Spec §11.10.7.6: only over CASE, on the fabric the fail-safe added or worked on.
        if (context.authMode !== 'case') {
          return error(CommissioningErrorCode.invalidAuthentication, 'CommissioningComplete must come over CASE');
        }
        const failSafe = device.failSafe.context;
        if (!failSafe) return error(CommissioningErrorCode.noFailSafe, 'no fail-safe is armed');
        const fabricIndex = failSafe.addedFabricIndex ?? failSafe.armedFabricIndex;
        if (context.fabricIndex === undefined || context.fabricIndex !== fabricIndex) {
          return error(CommissioningErrorCode.invalidAuthentication, 'the session is not on the fabric being commissioned');
        }
        await device.completeCommissioning();
        device.breadcrumb = 0n;
        breadcrumbChanged();
        return ok;
      }), { privilege: 'administer' }),
    },
  };
}
