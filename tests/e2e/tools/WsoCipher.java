// The JDK side of the secrets interop tests: encrypts and decrypts as WSO2's CryptoUtil does,
// with the JDK's own Cipher over a keystore the JDK loads (JKS or PKCS12).
//   java WsoCipher encrypt KEYSTORE STOREPASS ALIAS PLAINTEXT   -> two lines: pkcs1, oaep value
//   java WsoCipher decrypt KEYSTORE STOREPASS ALIAS KEYPASS VALUE... -> one plaintext a line
// "oaep" writes the self-contained form: base64 of {"c","t","tp","tpd"} as Gson writes it
// (HTML-safe escaping turns '=' into \u003d), thumbprint as upper-case hex SHA-1.
import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;

public class WsoCipher {
  static final String OAEP = "RSA/ECB/OAEPwithSHA1andMGF1Padding";

  static KeyStore load(String path, String pass) throws Exception {
    KeyStore ks = KeyStore.getInstance(path.endsWith(".p12") ? "PKCS12" : "JKS");
    try (FileInputStream in = new FileInputStream(path)) {
      ks.load(in, pass.toCharArray());
    }
    return ks;
  }

  static String hex(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (byte x : b) s.append(String.format("%02X", x));
    return s.toString();
  }

  public static void main(String[] a) throws Exception {
    KeyStore ks = load(a[1], a[2]);
    if (a[0].equals("encrypt")) {
      Certificate cert = ks.getCertificate(a[3]);
      for (boolean oaep : new boolean[] {false, true}) {
        Cipher c = Cipher.getInstance(oaep ? OAEP : "RSA/ECB/PKCS1Padding");
        c.init(Cipher.ENCRYPT_MODE, cert.getPublicKey());
        byte[] raw = c.doFinal(a[4].getBytes(StandardCharsets.UTF_8));
        String b64 = Base64.getEncoder().encodeToString(raw);
        if (!oaep) {
          System.out.println(b64);
          continue;
        }
        String tp = hex(MessageDigest.getInstance("SHA-1").digest(cert.getEncoded()));
        String json = "{\"c\":\"" + b64.replace("=", "\\u003d") + "\",\"t\":\"" + OAEP
            + "\",\"tp\":\"" + tp + "\",\"tpd\":\"SHA-1\"}";
        System.out.println(
            Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)));
      }
    } else {
      PrivateKey key = (PrivateKey) ks.getKey(a[3], a[4].toCharArray());
      for (int i = 5; i < a.length; i++) {
        byte[] value = Base64.getDecoder().decode(a[i]);
        String text = new String(value, StandardCharsets.UTF_8);
        String t = "RSA/ECB/PKCS1Padding";
        if (text.startsWith("{")) {
          Matcher m = Pattern.compile("\"c\":\"([^\"]*)\"").matcher(text);
          m.find();
          value = Base64.getDecoder().decode(m.group(1).replace("\\u003d", "="));
          Matcher mt = Pattern.compile("\"t\":\"([^\"]*)\"").matcher(text);
          mt.find();
          t = mt.group(1);
        }
        Cipher c = Cipher.getInstance(t);
        c.init(Cipher.DECRYPT_MODE, key);
        System.out.println(new String(c.doFinal(value), StandardCharsets.UTF_8));
      }
    }
  }
}
