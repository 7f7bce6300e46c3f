import type { JoinRequest, Member, Protocol } from './types.js';

interface GroupView {
  protocolType: string | null;
  members: Map<string, Member>;
}

/** A joining member must speak the group's protocol type and share a protocol with every member. */
export function supportsProtocols(group: GroupView, req: JoinRequest): boolean {
  if (group.members.size === 0) return true;
  if (group.protocolType !== req.protocolType) return false;
  const names = new Set(req.protocols.map((p) => p.name));
  for (const m of group.members.values()) {
    if (m.id === req.memberId) continue;
    for (const name of [...names])
      if (!m.protocols.some((p) => p.name === name)) names.delete(name);
  }
  return names.size > 0;
}

/** Kafka's vote: each member votes for its most preferred protocol that all members support. */
export function selectProtocol(members: Iterable<Member>): string {
  const list = [...members];
  const common = list[0]!.protocols
    .map((p) => p.name)
    .filter((name) => list.every((m) => m.protocols.some((p) => p.name === name)));
  const votes = new Map<string, number>(common.map((n) => [n, 0]));
  for (const m of list) {
    const choice = m.protocols.find((p) => votes.has(p.name));
    if (choice) votes.set(choice.name, votes.get(choice.name)! + 1);
  }
  let best = common[0]!;
  for (const [name, n] of votes) if (n > votes.get(best)!) best = name;
  return best;
}

export function sameProtocols(a: Protocol[], b: Protocol[]): boolean {
  return (
    a.length === b.length &&
    a.every((p, i) => p.name === b[i]!.name && p.metadata.equals(b[i]!.metadata))
  );
}
