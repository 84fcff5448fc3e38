/** Which of the core resources the app created itself (and so closes); the caller closes the rest. */
export class CoreOwnership {
  constructor(
    readonly redis: boolean,
    readonly store: boolean,
    readonly dispatcher: boolean,
  ) {}
}
