import Envelope
import Testing

@Suite("EnhancedStatus")
struct EnhancedStatusTests {
    @Test(
        "parses class.subject.detail",
        arguments: [
            ("2.0.0", EnhancedStatus(2, 0, 0)),
            ("2.1.5", EnhancedStatus(2, 1, 5)),
            ("4.4.7", EnhancedStatus(4, 4, 7)),
            ("5.1.10", EnhancedStatus(5, 1, 10)),
            ("5.7.999", EnhancedStatus(5, 7, 999)),
            ("5.999.0", EnhancedStatus(5, 999, 0)),
            ("4.00.007", EnhancedStatus(4, 0, 7)),
        ])
    func parses(text: String, expected: EnhancedStatus) {
        #expect(EnhancedStatus(text[...]) == expected)
        #expect(EnhancedStatus(text) == expected)
    }

    @Test(
        "refuses anything that is not exactly a status code",
        arguments: [
            "", "2", "2.1", "2.1.", ".1.5", "2..5", "2.1.5.", "1.0.0", "3.0.0", "6.0.0", "0.0.0", "9.1.1",
            "2.1000.0", "2.1.1000", " 2.1.5", "2.1.5 ", "2.1.5x", "x2.1.5", "2.1.5.6", "22.1.5", "02.1.5", "2.-1.5",
            "2.+1.5", "２.1.5", "2.1.5\r\n", "2,1,5", "a.b.c", "5.1.1\u{0}",
        ])
    func refuses(text: String) {
        #expect(EnhancedStatus(text[...]) == nil)
    }

    @Test(
        "writes x.y.z and reads it back",
        arguments: [EnhancedStatus(2, 0, 0), EnhancedStatus(4, 3, 1), EnhancedStatus(5, 1, 10), EnhancedStatus(5, 999, 999)])
    func roundTrip(status: EnhancedStatus) {
        #expect(EnhancedStatus(status.description) == status)
        #expect(status.description.split(separator: ".").count == 3)
    }

    @Test("classifies success, transient and permanent codes")
    func classification() {
        #expect(EnhancedStatus.ok.isSuccess && !EnhancedStatus.ok.isTransient && !EnhancedStatus.ok.isPermanent)
        #expect(EnhancedStatus.deliveryTimeExpired.isTransient && !EnhancedStatus.deliveryTimeExpired.isPermanent)
        #expect(EnhancedStatus.relayDenied.isPermanent && !EnhancedStatus.relayDenied.isSuccess)
        #expect(EnhancedStatus.mailboxFull.withClass(4) == .mailboxFullTransient)
    }

    @Test(
        "names the codes an MTA uses",
        arguments: [
            (EnhancedStatus.ok, "2.0.0"), (.senderOK, "2.1.0"), (.recipientOK, "2.1.5"), (.messageAccepted, "2.6.0"),
            (.mailboxFullTransient, "4.2.2"), (.temporarySystemFailure, "4.3.0"), (.systemStorageFull, "4.3.1"),
            (.systemNotAccepting, "4.3.2"), (.noAnswerFromHost, "4.4.1"), (.badConnection, "4.4.2"),
            (.directoryServerFailure, "4.4.3"), (.congestion, "4.4.5"), (.deliveryTimeExpired, "4.4.7"),
            (.tooManyRecipients, "4.5.3"), (.temporarySecurityFailure, "4.7.0"), (.permanentFailure, "5.0.0"),
            (.mailboxUnknown, "5.1.1"), (.domainUnknown, "5.1.2"), (.badRecipientAddressSyntax, "5.1.3"),
            (.badSenderAddressSyntax, "5.1.7"), (.recipientNullMX, "5.1.10"), (.mailboxFull, "5.2.2"),
            (.messageLengthExceedsLimit, "5.2.3"), (.messageTooBig, "5.3.4"), (.unableToRoute, "5.4.4"),
            (.routingLoop, "5.4.6"), (.invalidCommand, "5.5.1"), (.syntaxError, "5.5.2"),
            (.recipientLimitExceeded, "5.5.3"), (.invalidArguments, "5.5.4"), (.nonASCIIAddressNotPermitted, "5.6.7"),
            (.securityFailure, "5.7.0"), (.relayDenied, "5.7.1"), (.authenticationFailed, "5.7.8"),
            (.authenticationMechanismTooWeak, "5.7.9"), (.encryptionRequiredForAuthentication, "5.7.11"),
            (.senderNullMX, "5.7.27"),
        ])
    func namedCodes(status: EnhancedStatus, text: String) {
        #expect(status.description == text)
        #expect(!status.meaning.isEmpty)
    }

    @Test(
        "gives the RFC 3463 meaning of subject and detail",
        arguments: [
            (EnhancedStatus(5, 1, 1), "Bad destination mailbox address"),
            (EnhancedStatus(4, 2, 2), "Mailbox full"),
            (EnhancedStatus(5, 2, 2), "Mailbox full"),
            (EnhancedStatus(4, 4, 7), "Delivery time expired"),
            (EnhancedStatus(5, 7, 1), "Delivery not authorized, message refused"),
            (EnhancedStatus(5, 1, 10), "Recipient address has null MX"),
            (EnhancedStatus(5, 6, 7), "Non-ASCII addresses not permitted for that sender/recipient"),
            (EnhancedStatus(4, 3, 1), "Mail system full"),
            (EnhancedStatus(5, 4, 6), "Routing loop detected"),
            (EnhancedStatus(2, 0, 0), "Other undefined Status"),
        ])
    func meaning(status: EnhancedStatus, meaning: String) {
        #expect(status.meaning == meaning)
    }

    @Test(
        "falls back to the subject's, then the generic, meaning",
        arguments: [
            (EnhancedStatus(5, 1, 99), "Other address status"),
            (EnhancedStatus(4, 4, 999), "Other or undefined network or routing status"),
            (EnhancedStatus(5, 99, 1), "Other undefined Status"),
        ])
    func meaningFallback(status: EnhancedStatus, meaning: String) {
        #expect(status.meaning == meaning)
    }
}
