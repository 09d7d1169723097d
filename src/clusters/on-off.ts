// On/Off cluster (spec 1.5, cluster id 0x0006): the light switch. The commands Off, On and Toggle carry no fields.
import { attribute, commandEncoders, defineCommand } from './cluster-definition.js';
import { bitmap8, bool, enum8, field, nullable, struct, uint } from './field-schema.js';

const ID = 0x0006;

export const OnOffCluster = {
  id: ID,
  name: 'OnOff',
  attributes: {
    onOff: attribute(0x0000, 'OnOff', bool),
    globalSceneControl: attribute(0x4000, 'GlobalSceneControl', bool),
    onTime: attribute(0x4001, 'OnTime', uint(16), true),
    offWaitTime: attribute(0x4002, 'OffWaitTime', uint(16), true),
    startUpOnOff: attribute(0x4003, 'StartUpOnOff', nullable(enum8), true),
  },
  commands: {
    off: defineCommand(ID, 0x00, 'Off'),
    on: defineCommand(ID, 0x01, 'On'),
    toggle: defineCommand(ID, 0x02, 'Toggle'),
    onWithTimedOff: defineCommand(ID, 0x42, 'OnWithTimedOff', {
      request: struct({ onOffControl: field(0, bitmap8), onTime: field(1, uint(16)), offWaitTime: field(2, uint(16)) }),
    }),
  },
} as const;

export const onOff = commandEncoders(OnOffCluster.commands);
