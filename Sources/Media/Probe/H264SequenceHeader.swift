/// Reads just enough of an H.264 sequence parameter set (from an MP4's `avcC` record) to know whether its pictures
/// can be interlaced: `frame_mbs_only_flag` (ITU-T H.264 §7.3.2.1.1). With it set every picture is a progressive
/// frame; without it pictures may be fields or field-pair (MBAFF) frames, which only decoding tells apart. A header
/// probe uses it to say `progressive` without decoding a picture; anything it cannot read leaves the answer to the
/// decoder (nil).
enum H264SequenceHeader {
    /// `true` when the first SPS of `avcC` says frames only, `false` when it allows fields, nil when unreadable.
    static func framesOnly(avcC bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        // avcC: version(1) profile compat level, lengthSizeMinusOne, numOfSequenceParameterSets (low 5 bits), then
        // each SPS as a 16-bit length and the NAL unit.
        guard bytes.count > 8, bytes[0] == 1, bytes[5] & 0x1F > 0 else { return nil }
        let length = Int(bytes[6]) << 8 | Int(bytes[7])
        guard length > 1, 8 + length <= bytes.count, bytes[8] & 0x1F == 7 else { return nil }
        var reader = BitReader(rbsp: Array(bytes[9..<(8 + length)]))
        return reader.framesOnly()
    }

    /// Exp-Golomb bit reader over an RBSP (emulation prevention bytes removed).
    struct BitReader {
        private let bytes: [UInt8]
        private var position = 0

        init(rbsp nal: [UInt8]) {
            var out: [UInt8] = []
            out.reserveCapacity(nal.count)
            var zeros = 0
            for byte in nal {
                if zeros >= 2, byte == 3 {
                    zeros = 0
                    continue
                }
                zeros = byte == 0 ? zeros + 1 : 0
                out.append(byte)
            }
            bytes = out
        }

        mutating func bit() -> Int? {
            guard position < bytes.count * 8 else { return nil }
            defer { position += 1 }
            return Int(bytes[position >> 3] >> (7 - UInt8(position & 7)) & 1)
        }

        mutating func bits(_ n: Int) -> Int? {
            var value = 0
            for _ in 0..<n {
                guard let b = bit() else { return nil }
                value = value << 1 | b
            }
            return value
        }

        mutating func ue() -> Int? {
            var zeros = 0
            while true {
                guard let b = bit() else { return nil }
                if b == 1 { break }
                zeros += 1
                if zeros > 31 { return nil }
            }
            guard let rest = bits(zeros) else { return nil }
            return (1 << zeros) - 1 + rest
        }

        mutating func se() -> Int? {
            guard let k = ue() else { return nil }
            return k & 1 == 1 ? (k + 1) / 2 : -(k / 2)
        }

        /// Walks the SPS up to `frame_mbs_only_flag`.
        mutating func framesOnly() -> Bool? {
            guard let profile = bits(8), bits(16) != nil, ue() != nil else { return nil }
            if [100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].contains(profile) {
                guard let chroma = ue() else { return nil }
                if chroma == 3 { guard bit() != nil else { return nil } }
                guard ue() != nil, ue() != nil, bit() != nil, let scaling = bit() else { return nil }
                if scaling == 1 {
                    for list in 0..<(chroma != 3 ? 8 : 12) {
                        guard let present = bit() else { return nil }
                        guard present == 1 else { continue }
                        var last = 8, next = 8
                        for _ in 0..<(list < 6 ? 16 : 64) where next != 0 {
                            guard let delta = se() else { return nil }
                            next = (last + delta + 256) % 256
                            last = next == 0 ? last : next
                        }
                    }
                }
            }
            guard ue() != nil, let pocType = ue() else { return nil }
            if pocType == 0 {
                guard ue() != nil else { return nil }
            } else if pocType == 1 {
                guard bit() != nil, se() != nil, se() != nil, let cycle = ue(), cycle < 256 else { return nil }
                for _ in 0..<cycle { guard se() != nil else { return nil } }
            }
            guard ue() != nil, bit() != nil, ue() != nil, ue() != nil, let framesOnly = bit() else { return nil }
            return framesOnly == 1
        }
    }
}
