import Link from "next/link";

export default function NotFound() {
  return (
    <div className="empty card" data-testid="not-found">
      <h1>Not found</h1>
      <p className="muted">There is no such piece (or page) here. It may never have existed.</p>
      <Link href="/" className="button">
        Back to the gallery
      </Link>
    </div>
  );
}
