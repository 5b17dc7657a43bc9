// Slack's published limits for a message's layout, checked the way Slack checks them: a payload
// past any of them is refused (invalid_blocks) or cut. https://docs.slack.dev/reference/block-kit/blocks
// (50 blocks a message; a section's text 1 to 3,000 characters; a context block 1 to 10
// elements) and https://docs.slack.dev/reference/methods/chat.postMessage (text: 40,000).

interface TextObject {
  type?: unknown;
  text?: unknown;
}

/** Every way the payload breaks Slack's limits; empty when Slack takes it. */
export function blockKitProblems(payload: unknown): string[] {
  const problems: string[] = [];
  const message = payload as { text?: unknown; blocks?: unknown };
  if (typeof message.text !== 'string' || !message.text) problems.push('no text');
  else if (message.text.length > 40_000) problems.push(`text of ${message.text.length}`);
  if (!Array.isArray(message.blocks)) return [...problems, 'no blocks'];
  if (message.blocks.length > 50) problems.push(`${message.blocks.length} blocks`);
  const text = (where: string, object: TextObject | undefined) => {
    if (object?.type !== 'mrkdwn' && object?.type !== 'plain_text') problems.push(`${where}: type`);
    const length = typeof object?.text === 'string' ? object.text.length : 0;
    if (length < 1 || length > 3000) problems.push(`${where}: text of ${length}`);
  };
  for (const [i, block] of (message.blocks as Array<Record<string, unknown>>).entries()) {
    if (block.type === 'section') text(`block ${i}`, block.text as TextObject);
    else if (block.type === 'context') {
      const elements = block.elements as TextObject[] | undefined;
      if (!Array.isArray(elements) || elements.length < 1 || elements.length > 10)
        problems.push(`block ${i}: ${elements?.length ?? 0} elements`);
      for (const [j, element] of (elements ?? []).entries()) text(`block ${i}.${j}`, element);
    } else problems.push(`block ${i}: type ${String(block.type)}`);
  }
  return problems;
}
