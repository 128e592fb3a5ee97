import { badGateway } from "../../errors";
import { DeliveryError, type Notifier, type OutboundMessage } from "../../notify";

/**
 * Sends a message whose secret (OTP, link code) is already stored. On any failure `undo` runs first,
 * so nothing stays usable that the client was told did not go out; a provider failure answers 502.
 */
export async function deliverOrUndo(notifier: Notifier, message: OutboundMessage, undo: () => Promise<void>): Promise<void> {
  try {
    await notifier.send(message);
  } catch (error) {
    await undo();
    if (error instanceof DeliveryError) {
      throw badGateway(`The ${message.channel === "email" ? "email" : "SMS"} could not be sent; try again later`);
    }
    throw error;
  }
}
