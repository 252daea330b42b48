/**
 * Which IP addresses the scraper may connect to. Everything that is not a public unicast address
 * is refused: loopback, private, link-local (cloud metadata lives at 169.254.169.254), carrier-grade
 * NAT, documentation, multicast and reserved ranges, in IPv4 and IPv6, including IPv4 addresses
 * wrapped in IPv6 (mapped, NAT64, 6to4).
 */
import { BlockList, isIP } from "node:net";

const NON_PUBLIC_V4: Array<[string, number]> = [
	["0.0.0.0", 8],
	["10.0.0.0", 8],
	["100.64.0.0", 10],
	["127.0.0.0", 8],
	["169.254.0.0", 16],
	["172.16.0.0", 12],
	["192.0.0.0", 24],
	["192.0.2.0", 24],
	["192.88.99.0", 24],
	["192.168.0.0", 16],
	["198.18.0.0", 15],
	["198.51.100.0", 24],
	["203.0.113.0", 24],
	["224.0.0.0", 4],
	["240.0.0.0", 4]
];

const NON_PUBLIC_V6: Array<[string, number]> = [
	["::", 128],
	["::1", 128],
	["100::", 64],
	["2001:db8::", 32],
	["fc00::", 7],
	["fe80::", 10],
	["fec0::", 10],
	["ff00::", 8]
];

const blocked = new BlockList();
for (const [net, prefix] of NON_PUBLIC_V4) blocked.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of NON_PUBLIC_V6) blocked.addSubnet(net, prefix, "ipv6");

/** The IPv4 address inside an IPv6 one that carries it (::ffff:a.b.c.d, 64:ff9b::/96, 2002::/16), if any. */
function embeddedV4(ip: string): string | undefined {
	const lower = ip.toLowerCase();
	const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
	if (dotted) return dotted[1];
	const groups = expandV6(lower);
	if (!groups) return undefined;
	const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
	const zeros = (from: number, to: number) => groups.slice(from, to).every(g => g === 0);
	if (zeros(0, 5) && groups[5] === 0xffff) return v4(groups[6], groups[7]);
	if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return v4(groups[6], groups[7]);
	if (groups[0] === 0x2002) return v4(groups[1], groups[2]);
	return undefined;
}

/** The eight 16-bit groups of an IPv6 address, or undefined when it is not plain hex groups. */
function expandV6(ip: string): number[] | undefined {
	const [head, tail] = ip.split("::");
	if (ip.split("::").length > 2 || /[^0-9a-f:]/.test(ip)) return undefined;
	const parse = (part: string | undefined) => (part ? part.split(":").map(g => parseInt(g, 16)) : []);
	const left = parse(head);
	const right = parse(tail);
	const fill = tail === undefined ? 0 : 8 - left.length - right.length;
	const groups = [...left, ...new Array<number>(Math.max(0, fill)).fill(0), ...right];
	return groups.length === 8 && groups.every(g => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** True only for a public unicast IPv4 or IPv6 address. */
export function isPublicAddress(ip: string): boolean {
	const bare = ip.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
	const family = isIP(bare);
	if (family === 4) return !blocked.check(bare, "ipv4");
	if (family !== 6) return false;
	const inner = embeddedV4(bare);
	if (inner !== undefined) return !blocked.check(inner, "ipv4");
	return !blocked.check(bare, "ipv6");
}

/** True when the host part of a URL is an IP literal rather than a name (IPv6 in brackets included). */
export function isIpLiteral(hostname: string): boolean {
	return isIP(hostname.replace(/^\[|\]$/g, "")) !== 0;
}
