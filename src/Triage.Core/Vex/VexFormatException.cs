namespace Triage.Core.Vex;

/// <summary>Why a file could not be read as a VEX document at all.</summary>
public enum VexErrorCode
{
    Empty,
    InvalidJson,
    Truncated,
    TooDeep,
    TooLarge,
    /// <summary>Valid JSON, but not an OpenVEX, CycloneDX or CSAF document (an array, a scan report…).</summary>
    NotVex,
    /// <summary>A VEX format in a version Triage does not read (CSAF 1.2, CycloneDX before 1.4).</summary>
    UnsupportedVersion,
    /// <summary>A document-level field of the wrong JSON type ("statements" that is not an array…).</summary>
    WrongType,
    /// <summary>A recognisable document that holds no VEX statement (a CycloneDX vulnerability report without analysis).</summary>
    NoStatements,
}

/// <summary>A clear, user-facing error about one VEX file. The message names the problem; the caller adds the file name.</summary>
public sealed class VexFormatException : Exception
{
    // Shortened: a message may quote the document (an @context, a bomFormat), and a hostile one must not be echoed at length.
    public VexFormatException(VexErrorCode code, string message, long? line = null, long? bytePosition = null, Exception? inner = null)
        : base(Ingest.ReportFormatException.Shorten(message), inner)
    {
        Code = code;
        Line = line;
        BytePosition = bytePosition;
    }

    public VexErrorCode Code { get; }
    public long? Line { get; }
    public long? BytePosition { get; }

    public string CodeName => Code switch
    {
        VexErrorCode.Empty => "empty",
        VexErrorCode.InvalidJson => "invalid_json",
        VexErrorCode.Truncated => "truncated",
        VexErrorCode.TooDeep => "too_deep",
        VexErrorCode.TooLarge => "too_large",
        VexErrorCode.NotVex => "not_vex",
        VexErrorCode.UnsupportedVersion => "unsupported_version",
        VexErrorCode.WrongType => "wrong_type",
        VexErrorCode.NoStatements => "no_statements",
    };

    public string Describe() => Line is null ? Message : $"{Message} (line {Line}, byte {BytePosition ?? 0})";
}
