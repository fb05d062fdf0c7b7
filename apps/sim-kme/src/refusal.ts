// A request the KME refuses, with the status and ETSI Error message it answers.
export class Refusal {
  constructor(
    readonly status: number,
    readonly message: string,
  ) {}
}

export const badRequest = (message: string) => new Refusal(400, message);
export const unauthorized = (message: string) => new Refusal(401, message);
