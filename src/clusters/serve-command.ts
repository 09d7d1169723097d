// A typed command handler for the InteractionServer: the request's fields decoded by the command's definition
// (TlvFieldError -> INVALID_COMMAND, ConstraintError -> CONSTRAINT_ERROR), the handler's response encoded by it.
import type { InteractionContext, ServedCommand } from '../interaction/interaction-server.js';
import type { CommandDefinition } from './cluster-definition.js';

export function serveCommand<Request, Response>(definition: CommandDefinition<Request, Response>,
  handler: (fields: Request, context: InteractionContext) => Response | Promise<Response>,
  options: Pick<ServedCommand, 'privilege'> = {}): ServedCommand {
  return {
    timed: definition.timed,
    ...options,
    handler: async (fields, context) => {
      const response = await handler(definition.decodeRequest(fields), context);
      return definition.response === undefined ? undefined : definition.encodeResponse(response);
    },
  };
}
