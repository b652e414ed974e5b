/** Callback types (numbering of VOLTHA 1.x `CallbackType`). */
export enum CallbackType {
  GET = 1,
  PRE_UPDATE = 2,
  POST_UPDATE = 3,
  PRE_ADD = 4,
  POST_ADD = 5,
  PRE_REMOVE = 6,
  POST_REMOVE = 7,
  /** Tx merge of an unkeyed list; never produced with the VOLTHA schema. */
  POST_LISTCHANGE = 8
}

/** POST_* types that are announced as change events. */
export type PostCallbackType =
  CallbackType.POST_ADD | CallbackType.POST_REMOVE | CallbackType.POST_UPDATE | CallbackType.POST_LISTCHANGE;
